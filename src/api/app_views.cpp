#include "api/app_views.hpp"
