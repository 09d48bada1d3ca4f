// Root hook of the end-to-end suite: finds (or, on a cold cache, builds) the control plane's binaries before the
// first test, without a timeout, so no test's timeout ever counts a Go build.
import { controlPlaneBinaries } from './chart-helm.js';

export const mochaHooks = {
  async beforeAll(this: Mocha.Context): Promise<void> {
    this.timeout(0);
    await controlPlaneBinaries();
  },
};
