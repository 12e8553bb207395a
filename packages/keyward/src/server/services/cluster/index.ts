export { SECOND_INVALIDATION_MS, startClusterSync, type ClusterSync } from './start-cluster-sync.ts';
