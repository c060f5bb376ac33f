// The file names of a run's report folder, apart from report.ts, so that what only needs the names
// (the workspace, when it hands out a report's path) does not load the report's code (TensorFlow.js
// among it) at start-up (issue 14, launch to first image).
export const REPORT_FILES = { html: 'report.html', json: 'report.json', csv: 'per_image_class.csv', pdf: 'report.pdf', predictions: 'predictions' } as const;
