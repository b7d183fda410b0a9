/** Every migration, in order. Add a new file for each change; never edit a landed one. */
import type { Migration } from 'kysely';
import * as m0001 from './0001_event_log.js';
import * as m0002 from './0002_execution_projection.js';
import * as m0003 from './0003_notices_alerts_outbox.js';
import * as m0004 from './0004_api_keys.js';
import * as m0005 from './0005_projected_version.js';
import * as m0006 from './0006_append_function.js';
import * as m0007 from './0007_execution_segments.js';
import * as m0008 from './0008_events_notify.js';
import * as m0009 from './0009_stored_answers.js';
import * as m0010 from './0010_events_stream_check.js';
import * as m0011 from './0011_subscription_secrets.js';
import * as m0012 from './0012_sessions.js';
import * as m0013 from './0013_reproject_record_dates.js';
import * as m0014 from './0014_stream_checkpoints.js';
import * as m0015 from './0015_events_monitoring_index.js';

export const MIGRATIONS: Record<string, Migration> = {
  '0001_event_log': m0001,
  '0002_execution_projection': m0002,
  '0003_notices_alerts_outbox': m0003,
  '0004_api_keys': m0004,
  '0005_projected_version': m0005,
  '0006_append_function': m0006,
  '0007_execution_segments': m0007,
  '0008_events_notify': m0008,
  '0009_stored_answers': m0009,
  '0010_events_stream_check': m0010,
  '0011_subscription_secrets': m0011,
  '0012_sessions': m0012,
  '0013_reproject_record_dates': m0013,
  '0014_stream_checkpoints': m0014,
  '0015_events_monitoring_index': m0015,
};
