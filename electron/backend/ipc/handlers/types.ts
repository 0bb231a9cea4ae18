import type { InvokeChannel, ParsedReq, Res } from '../../../../shared/ipc.ts';
import type { Services } from '../../services.ts';

/** A handler gets the already-validated request and the backend services. Throw KilnError for typed failures. */
export type Handler<C extends InvokeChannel> = (req: ParsedReq<C>, services: Services) => Promise<Res<C>> | Res<C>;
export type HandlerMap = { [C in InvokeChannel]?: Handler<C> };
