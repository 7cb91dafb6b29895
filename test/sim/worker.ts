/** A simulation worker thread: runs its share of seeds and posts each result. */
import { parentPort, workerData } from 'node:worker_threads';
import { runHere } from './runner';

const { seeds, eventBudget } = workerData as { seeds: number[]; eventBudget?: number };
void runHere(seeds, eventBudget, (result) => parentPort?.postMessage(result)).then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
