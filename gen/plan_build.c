/* plan_build.c - the planner's stages in order (plan.h): where values
 * live and what fuses (plan.c), the engine of each product
 * (plan_kernels.c), loop nodes fused into one nest (plan_fuse.c), the
 * loop nests (plan_loops.c), the values kept in variables (plan_fuse.c),
 * the workspace (plan_memory.c).  Each stage reads what the earlier ones decided. */
#include "plan.h"

void gan_plan_build(gan_plan *pl, const gan_program *p, const gan_model *m, gan_codegen_opts o)
{
    gan_plan_storage(pl, p, m, o);
    gan_plan_kernels(pl);
    gan_plan_fuse(pl);
    gan_plan_loops(pl);
    gan_plan_locals(pl);
    gan_plan_memory(pl);
}
