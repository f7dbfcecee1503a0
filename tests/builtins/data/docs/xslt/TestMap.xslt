<?xml version="1.0" encoding="utf-8"?>
<!-- The Transform XML page's scenario: an order's YearMonthDay date (YYYYMMDD) becomes MonthDayYear (MMDDYYYY). -->
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform">
  <xsl:output method="xml" indent="no"/>
  <xsl:template match="/Order">
    <Order>
      <Id><xsl:value-of select="Id"/></Id>
      <Date><xsl:value-of select="concat(substring(Date, 5, 2), substring(Date, 7, 2), substring(Date, 1, 4))"/></Date>
    </Order>
  </xsl:template>
</xsl:stylesheet>
