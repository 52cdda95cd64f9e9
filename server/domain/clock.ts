// The one source of time, so expiry and history can be tested with a fixed clock.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
