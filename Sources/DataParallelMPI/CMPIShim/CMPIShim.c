// The shim is header-only (static inline getters); a C target needs one source file.
#include "CMPIShim.h"
