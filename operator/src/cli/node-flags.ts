// The Node.js flags the operator runs with, wherever it runs: the image's ENTRYPOINT (Dockerfile), bin/ecs-operator
// and the bench's operator process; test/unit/dockerfile.test.ts checks that the three agree with this list.
//
// They trade a little CPU for memory. V8 sizes its heap for the machine, not for the work: on a node with
// gigabytes free it lets the young generation grow to 3 × 16 MiB and the old generation grow well past what is
// live before collecting, so the resident set of an operator with 5000 tasks was 389 MiB for 130 MiB of live heap
// (the bench's steady state). With a 4 MiB semi-space and V8's optimize-for-size heuristics it was 217 MiB
// (peak 225 MiB) for 87 MiB, at a lower CPU cost per minute. Neither caps the heap: a larger cluster still gets
// the memory it needs, it just collects sooner.
export const NODE_FLAGS: readonly string[] = ['--max-semi-space-size=4', '--optimize-for-size'];
