import type { HandlerMap } from './types.ts';
import { appHandlers } from './app.ts';
import { settingsHandlers } from './settings.ts';
import { modelsHandlers } from './models.ts';
import { predictionsHandlers } from './predictions.ts';
import { historyHandlers } from './history.ts';
import { mediaHandlers } from './media.ts';
import { costHandlers } from './cost.ts';
import { reproduceHandlers } from './reproduce.ts';

// One handler file per domain; each channel belongs to exactly one of them.
export const handlers: HandlerMap = {
  ...appHandlers,
  ...settingsHandlers,
  ...modelsHandlers,
  ...predictionsHandlers,
  ...historyHandlers,
  ...mediaHandlers,
  ...costHandlers,
  ...reproduceHandlers,
};
