import { defineScenarioShard } from './scenario-shard.js';

defineScenarioShard(0, 4);
