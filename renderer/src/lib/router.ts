// The view and its subject in the page's #hash, so reloading keeps the place and a link can open
// an image directly (#/image/<name>?run=<id>), as the launch-to-first-image benchmark does.

export type ViewName = 'project' | 'image' | 'metrics' | 'training';
export const VIEWS: readonly ViewName[] = ['project', 'image', 'metrics', 'training'];

export interface Route {
  view: ViewName;
  /** Image name (image view). */
  image: string | null;
  /** Run id (image, metrics and training views). */
  run: string | null;
}

export function parseRoute(hash: string): Route {
  const h = hash.replace(/^#\/?/, '');
  const [path, query = ''] = h.split('?', 2);
  const [view, ...rest] = path.split('/');
  const q = new URLSearchParams(query);
  const v = (VIEWS as readonly string[]).includes(view) ? (view as ViewName) : 'project';
  const image = v === 'image' && rest.length ? decodeURIComponent(rest.join('/')) : null;
  return { view: v, image, run: q.get('run') };
}

export function formatRoute(r: Route): string {
  let s = `#/${r.view}`;
  if (r.view === 'image' && r.image) s += `/${encodeURIComponent(r.image)}`;
  if (r.run) s += `?run=${encodeURIComponent(r.run)}`;
  return s;
}
