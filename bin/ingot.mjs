#!/usr/bin/env node
// Launcher: registers tsx's loader in this process and runs the TypeScript entry point
// (no build step, one process, signals reach the service directly).
import { register } from 'tsx/esm/api';
register();
await import('../src/bin/ingot.ts');
