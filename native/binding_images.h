// Registers the image kernels' entry points (binding_images.cc) on the addon's exports.
#pragma once
#include <napi.h>

namespace aekit {
void register_image_kernels(Napi::Env env, Napi::Object exports);
}
