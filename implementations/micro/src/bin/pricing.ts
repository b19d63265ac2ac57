#!/usr/bin/env node
import { startPricing } from '../pricing/main.js';

await startPricing();
