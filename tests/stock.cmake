# Stock files of services (issue #13): good and bad stock through the program (stock_test.sh).
# One test cli_stock_files_NAME per group of stock_test.sh (with _list).
include(${CMAKE_CURRENT_LIST_DIR}/cmake/split_checks.cmake)
ps_add_split_checks(cli_stock_files ${CMAKE_CURRENT_SOURCE_DIR}/stock_test.sh
  NAMES city bad china
  ARGS $<TARGET_FILE:popsim> ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
