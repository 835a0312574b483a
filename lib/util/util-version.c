/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <numaplace/error.h>

#include "np-version.h"

const char *np_version(void)
{
	return NP_VERSION;
}
