import { defineScenarioShard } from './scenario-shard.js';

defineScenarioShard(3, 4);
