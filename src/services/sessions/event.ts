/** The event a request records (store/repos/events.ts keeps it): one builder for sessions, profiles and custom events. */
import type { Effect } from '../../domain/effect.js';
import type { SessionEvent } from '../../domain/records.js';

/** What an event is about: a session (its integration id, its store), or a profile alone for sessionless events. */
export interface EventSubject {
  applicationId: number;
  profileId: string;
  /** the session's integration id; absent for trackEventV2 and profile updates */
  integrationId?: string;
  storeIntegrationId?: string | undefined;
}

/** An event as the request records it; its id is 0 until it is stored. */
export function newEvent(type: string, subject: EventSubject, effects: Effect[], created: string, attributes: Record<string, unknown> = {}): SessionEvent {
  const event: SessionEvent = {
    id: 0, applicationId: subject.applicationId, type, profileId: subject.profileId, sessionId: subject.integrationId ?? '', attributes, effects, created,
  };
  if (subject.storeIntegrationId !== undefined) event.storeIntegrationId = subject.storeIntegrationId;
  return event;
}
