#include "api/deploy_views.hpp"
