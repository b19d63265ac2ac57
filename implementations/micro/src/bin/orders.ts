#!/usr/bin/env node
import { startOrders } from '../orders/main.js';

await startOrders();
