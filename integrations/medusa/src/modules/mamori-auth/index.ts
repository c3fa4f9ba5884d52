import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import { MamoriAuthProvider } from './service';

export default ModuleProvider(Modules.AUTH, { services: [MamoriAuthProvider] });
