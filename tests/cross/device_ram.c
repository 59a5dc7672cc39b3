/*
 * device_ram.c - one of each structure that holds the device's state at run time, for build-core.sh to read their
 * sizes from the object (nm -S) as the cross compiler lays them out. Never linked.
 */
#include "device/device.h"
#include "net/api.h"
#include "net/http.h"
#include "service/service.h"
#include "service/store.h"

struct service device_ram_service;
struct store device_ram_store;
struct api device_ram_api;
struct http_connection device_ram_http_connection;
struct device device_ram_device;
