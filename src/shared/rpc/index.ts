export * from './protocol';
export { createRpcClient } from './client';
export { createRpcHandler, serveRpc } from './server';
export { createMessagePortClientTransport, createMessagePortServerTransport, type IMessagePort } from './messagePort';
