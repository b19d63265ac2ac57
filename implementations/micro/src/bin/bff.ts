#!/usr/bin/env node
import { startBff } from '../bff/main.js';

await startBff();
