/** Vite bundles `?worker` imports as separate same-origin worker files (no blob: URLs needed under the CSP). */
declare module '*?worker' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}
