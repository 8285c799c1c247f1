// During `statuspost build`, each page Astro renders is handed, with the bytes Astro is about to
// write, to the build (src/publish/build-site.ts: RenderedPageSink), which compresses post pages on
// the thread pool while Astro renders the next ones. The page itself is not changed. Outside a build
// (no sink set) this passes every response through untouched.
import type { MiddlewareHandler } from 'astro';

type RenderedPageSink = (pathname: string, body: Buffer) => Promise<void> | undefined;

export const onRequest: MiddlewareHandler = async (context, next) => {
  const response = await next();
  const sink = (globalThis as Record<symbol, RenderedPageSink | undefined>)[Symbol.for('statuspost.renderedPage')];
  if (sink === undefined || response.status !== 200 || response.body === null) return response;
  const body = Buffer.from(await response.arrayBuffer());
  await sink(context.url.pathname, body);
  return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
};
