/** Defaults and bounds of the agent loop. Pure: the workflow imports these. */
export const DEFAULT_MAX_TURNS = 50;
export const DEFAULT_RUN_TIMEOUT_MINUTES = 60;
export const DEFAULT_IDLE_TIMEOUT_MINUTES = 10;
/** Turns one workflow execution runs before continuing as new, keeping histories far from Temporal's limits. */
export const TURNS_PER_EXECUTION = 20;
/** Bytes of a shell command's stdout/stderr kept in a tool result. */
export const TOOL_OUTPUT_CAP_BYTES = 64 * 1024;
export const DEFAULT_SHELL_TIMEOUT_SECONDS = 120;
