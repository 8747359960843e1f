/* report.h - `ganc check --plan`: every decision of the plans of both
 * generated files, node by node. */
#ifndef GAN_REPORT_H
#define GAN_REPORT_H

#include "driver.h"

void gan_report_plans(gan_buf *o, const gan_compiled *c);

#endif
