/* SPDX-License-Identifier: MIT */
#ifndef FOZZY_VERSION_H
#define FOZZY_VERSION_H

#define FOZZY_VERSION "0.1.0"

#endif
