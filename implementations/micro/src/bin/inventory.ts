#!/usr/bin/env node
import { startInventory } from '../inventory/main.js';

await startInventory();
