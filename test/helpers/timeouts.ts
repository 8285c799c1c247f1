// Timeouts sized for two busy cores, not an idle machine: a test that fails because the machine is
// loaded is a false alarm. They bound hangs; speed is measured in bench/, never asserted here.

/** One site build (Astro, feeds, leak scan, publish) took up to ~20 s at a load average of 13. */
export const BUILD_MS = 180_000;
/** A test that builds several times, or runs the daemon through several publishes. */
export const BUILDS_MS = 300_000;
