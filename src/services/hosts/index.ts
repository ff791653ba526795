export { hostIdOf, isHostAtCapacity, readHostWorkers, summarizeHosts } from './host-registry';
export { listHosts } from './list-hosts';
