/** The raw engine's side of the comparison: an activity that does nothing, so only Temporal's cost is measured. */
export interface NoopInput {
  step: number;
}

export function createBaselineActivities() {
  return {
    noop(_input: NoopInput): Promise<void> {
      return Promise.resolve();
    },
  };
}

export type BaselineActivities = ReturnType<typeof createBaselineActivities>;
