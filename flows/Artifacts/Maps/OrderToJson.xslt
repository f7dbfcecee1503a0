<?xml version="1.0" encoding="UTF-8"?>
<!-- An XML order to the JSON the caller gets back (used by flows/xml-order-to-json.json). XSLT 3.0: the
     result is an XPath map serialized with method="json". -->
<xsl:stylesheet version="3.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
    xmlns:xs="http://www.w3.org/2001/XMLSchema" exclude-result-prefixes="xs">
  <xsl:output method="json" indent="no"/>
  <xsl:param name="currency" select="'EUR'"/>

  <xsl:template match="/">
    <xsl:choose>
      <xsl:when test="Order"><xsl:apply-templates select="Order"/></xsl:when>
      <xsl:otherwise>
        <xsl:message terminate="yes">Expected an Order element, got '<xsl:value-of select="name(*)"/>'.</xsl:message>
      </xsl:otherwise>
    </xsl:choose>
  </xsl:template>

  <xsl:template match="Order">
    <xsl:variable name="lines" select="Lines/Line"/>
    <xsl:sequence select="map {
      'orderId': string(@id),
      'customer': normalize-space(Customer/Name),
      'currency': $currency,
      'lines': array { for $l in $lines return map {
          'sku': string($l/@sku),
          'quantity': xs:integer($l/Quantity),
          'price': xs:decimal($l/Price) } },
      'total': sum(for $l in $lines return xs:decimal($l/Quantity) * xs:decimal($l/Price))
    }"/>
  </xsl:template>
</xsl:stylesheet>
