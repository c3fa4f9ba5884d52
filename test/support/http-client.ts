export { InjectClient as TestClient, pathOf, tokenOf } from '../../src/cli/inject-client.ts';
