#!/usr/bin/env node
'use strict';
// The CLI ships as TypeScript: tsx compiles it on the fly, so `npm install` is all it needs.
const path = require('node:path');
require('tsx/cjs');
require(path.join(__dirname, '..', 'src', 'cli', 'main.ts'));
