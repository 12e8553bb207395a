export { startClusterSync, type ClusterSync } from './start-cluster-sync.ts';
