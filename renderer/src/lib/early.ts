// What the page does before the app's code has loaded (main.ts): it asks for the engine's info
// (the app's first call, answered from here), and, opened at an image, asks the engine to start
// reading that image and its mask, so that the decode runs while the app loads instead of after it
// asks for the overview (issue 14, launch to first image).
import { earlyCall } from '../../../src/api/transports/early.ts';
import { parseRoute } from './router.ts';

export function startEarlyCalls(): void {
  earlyCall('appInfo', undefined);
  const route = parseRoute(location.hash);
  if (route.view === 'image' && route.image) earlyCall('prefetchImage', { name: route.image }, { answer: 'drop' });
}
