# Stock files of services (issue #13): good and bad stock through the program (stock_test.sh).
add_test(NAME cli_stock_files
         COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/stock_test.sh $<TARGET_FILE:popsim>
                 ${CMAKE_SOURCE_DIR} ${PS_WPP_DIR})
