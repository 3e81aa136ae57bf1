/** Types for process-on-spawn (tap's way into every spawn; no types of its own). */
declare module 'process-on-spawn' {
  interface SpawnOptions {
    /** Assignable: a listener replaces the child's environment. */
    env: NodeJS.ProcessEnv;
    readonly cwd: string;
    readonly execPath: string;
    readonly args: readonly string[];
  }
  const processOnSpawn: {
    addListener(listener: (options: SpawnOptions) => void): void;
    removeListener(listener: (options: SpawnOptions) => void): void;
  };
  export default processOnSpawn;
}
