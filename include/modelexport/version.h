// modelexport's version: the one place it is written (CMakeLists.txt reads it for project()).
#pragma once

#define MODELEXPORT_VERSION_MAJOR 0
#define MODELEXPORT_VERSION_MINOR 1
#define MODELEXPORT_VERSION_PATCH 0
#define MODELEXPORT_VERSION_STRING "0.1.0"
