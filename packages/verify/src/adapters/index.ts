/** Framework adapters of the verifier (re-exports only). */
export { createNodeMiddleware, type NodeMiddleware } from './node.ts';
export { createExpressMiddleware, type ExpressMiddleware, type ExpressRequestLike } from './express.ts';
export { createFastifyHook, createFastifyPlugin, type FastifyHook, type FastifyInstanceLike, type FastifyReplyLike, type FastifyRequestLike } from './fastify.ts';
export { createHonoMiddleware, type HonoContextLike, type KeywardHonoEnv, type KeywardHonoMiddleware } from './hono.ts';
export { readNodeAuthorization, sendNodeChallenge, type NodeRequestLike, type NodeResponseLike } from './send-challenge.ts';
