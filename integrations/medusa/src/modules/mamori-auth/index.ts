import { ModuleProvider, Modules } from '@medusajs/framework/utils';
import openStream from './open-stream';
import { MamoriAuthProvider } from './service';

export default ModuleProvider(Modules.AUTH, { services: [MamoriAuthProvider], loaders: [openStream] });
