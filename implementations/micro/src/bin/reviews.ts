#!/usr/bin/env node
import { startReviews } from '../reviews/main.js';

await startReviews();
