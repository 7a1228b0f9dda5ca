import { defineScenarioShard } from './scenario-shard.js';

defineScenarioShard(2, 4);
