#!/usr/bin/env node
import { startCatalog } from '../catalog/main.js';

await startCatalog();
