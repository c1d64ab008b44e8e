# The tests that put a proxy under load and count every failed request run alone (RUN_SERIAL):
# on 2 cores a neighbour test (Chromium, a sanitizer-heavy unit shard) takes the CPU that
# Caddy, the agent and the app need to answer within the clients' timeouts, and the figure would
# then be about the neighbour. The idle core goes to make test's low-priority fuzz build.
# Names from other test directories are ignored, as in ctest_costs.cmake. A parameterised
# test's ctest name ends with GoogleTest's comment on its parameter.
set_tests_properties(DeployTest.TwentyDeploymentsUnderKeepAliveLoadDropNoRequest
                     UpgradeServingTest.AnAppKeepsServingWhileBerthdAndItsAgentAreUpgraded
                     EdgeSystem.RulesChangeUnderKeepAliveLoadWithoutAFailedRequest
                     "Methods/EdgeWrk.RulesChangeUnderWrkLoadWithoutAnError/GET  # GetParam() = \"GET\""
                     "Methods/EdgeWrk.RulesChangeUnderWrkLoadWithoutAnError/POST  # GetParam() = \"POST\""
                     "Methods/DomainWrk.DomainsComeAndGoUnderWrkLoadWithoutAnError/GET  # GetParam() = \"GET\""
                     "Methods/DomainWrk.DomainsComeAndGoUnderWrkLoadWithoutAnError/POST  # GetParam() = \"POST\""
                     PROPERTIES RUN_SERIAL TRUE)
