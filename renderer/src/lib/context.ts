// Typed context: the views get the one AppState (and the state of long-lived views) from here
// instead of through every component's props.
import { createContext } from 'svelte';
import type { AppState } from './state/app.svelte.ts';
import type { ImageViewState } from './state/image.svelte.ts';
import type { MetricsState } from './state/metrics.svelte.ts';
import type { TrainingState } from './state/training.svelte.ts';

export const [getApp, setApp] = createContext<AppState>();
export const [getImageView, setImageView] = createContext<ImageViewState>();
export const [getMetrics, setMetrics] = createContext<MetricsState>();
export const [getTraining, setTraining] = createContext<TrainingState>();
