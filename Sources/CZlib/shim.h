#ifndef MVPIPE_CZLIB_SHIM_H
#define MVPIPE_CZLIB_SHIM_H
#include <zlib.h>
#endif
