import { defineScenarioShard } from './scenario-shard.js';

defineScenarioShard(1, 4);
