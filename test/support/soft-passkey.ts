export { SoftPasskey } from '../../src/cli/demo/soft-passkey.ts';
